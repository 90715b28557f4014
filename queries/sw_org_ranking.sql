-- Organisations with projects in scope, with projects, sites in scope, social workers and person-times (and their ranks); $district, $street nullable.
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
        person_times
    from sw_project_served
),

per_org as (
    select
        p.org_id,
        count(*) as projects,
        coalesce(sum(s.sites), 0)::bigint as sites,
        sum(p.social_workers)::bigint as social_workers,
        coalesce(sum(m.person_times), 0)::bigint as person_times
    from sw_project as p
    left join sites as s on p.id = s.project_id
    left join served as m on p.id = m.project_id
    where ($district is null and $street is null) or s.project_id is not null
    group by p.org_id
),

final as (
    select
        o.id as org_id,
        o.name as org_name,
        d.name as home_district,
        x.projects,
        x.sites,
        x.social_workers,
        x.person_times,
        rank() over (order by x.person_times desc) as rank_person_times
    from per_org as x
    inner join sw_org as o on x.org_id = o.id
    left join district as d on o.district_code = d.code
)

select * from final
order by rank_person_times, org_id
