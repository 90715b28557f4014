-- Projects in scope (a project counts when one of its sites lies in the scope) with organisation, sites in scope and person-times; $district, $street, $org_id (one organisation) nullable.
with
sites as (
    select
        project_id,
        count(*) as sites
    from sw_site
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
    group by project_id
),

served as (
    select
        project_id,
        person_times,
        online_person_times
    from sw_project_served
),

final as (
    select
        p.id,
        p.name,
        p.org_id,
        o.name as org_name,
        p.domain,
        p.target_group,
        p.district_code,
        d.name as district_name,
        p.start_on,
        p.end_on,
        p.funding_wan,
        p.social_workers,
        coalesce(s.sites, 0) as sites,
        coalesce(m.person_times, 0) as person_times,
        coalesce(m.online_person_times, 0) as online_person_times
    from sw_project as p
    inner join sw_org as o on p.org_id = o.id
    left join district as d on p.district_code = d.code
    left join sites as s on p.id = s.project_id
    left join served as m on p.id = m.project_id
    where (($district is null and $street is null) or s.project_id is not null)
        and ($org_id is null or p.org_id = $org_id)
)

select * from final
order by id
