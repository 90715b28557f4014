-- Projects in scope (a project counts when one of its sites lies in the scope) with organisation, sites in scope and person-times; $district, $street, $org_id (one organisation) nullable.
with
projects as (
    select * from sw_projects_in($district, $street)
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
        x.sites,
        x.person_times,
        x.online_person_times
    from projects as x
    inner join sw_project as p on x.project_id = p.id
    inner join sw_org as o on p.org_id = o.id
    left join district as d on p.district_code = d.code
    where $org_id is null or x.org_id = $org_id
)

select * from final
order by id
