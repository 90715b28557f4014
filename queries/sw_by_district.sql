-- Social work per district in scope: projects with a site in the district, their social workers and person-times, and sites; $district nullable.
with
sites as (
    select
        district_code,
        project_id,
        count(*) as sites
    from sw_site
    group by district_code, project_id
),

served as (
    select
        project_id,
        person_times
    from sw_project_served
),

per_district as (
    select
        s.district_code,
        count(*) as projects,
        count(distinct p.org_id) as orgs,
        sum(s.sites) as sites,
        sum(p.social_workers) as social_workers,
        coalesce(sum(m.person_times), 0) as person_times
    from sites as s
    inner join sw_project as p on s.project_id = p.id
    left join served as m on p.id = m.project_id
    group by s.district_code
),

final as (
    select
        d.code as district_code,
        d.name as district_name,
        d.name_en as district_name_en,
        coalesce(x.orgs, 0) as orgs,
        coalesce(x.projects, 0) as projects,
        coalesce(x.sites, 0)::bigint as sites,
        coalesce(x.social_workers, 0)::bigint as social_workers,
        coalesce(x.person_times, 0)::bigint as person_times
    from district as d
    left join per_district as x on d.code = x.district_code
    where $district is null or d.code = $district
)

select * from final
order by district_code
