-- Social work per district in scope: projects with a site in the district, their social workers and person-times, and sites; $district nullable.
with
-- sw_project_scope holds each project once per district it has a site in (derived at publish time).
per_district as (
    select
        x.scope_code as district_code,
        count(*) as projects,
        count(distinct x.org_id) as orgs,
        sum(x.sites) as sites,
        sum(x.social_workers) as social_workers,
        coalesce(sum(x.person_times), 0) as person_times
    from sw_project_scope as x
    inner join district as d on x.scope_code = d.code
    where $district is null or x.scope_code = $district
    group by x.scope_code
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
