-- Social work per street of a district: projects with a site in the street, their organisations, social workers and person-times, and sites; $district.
with
-- sw_project_scope holds each project once per street it has a site in (derived at publish time).
per_street as (
    select
        x.scope_code as street_code,
        count(*) as projects,
        count(distinct x.org_id) as orgs,
        sum(x.sites) as sites,
        sum(x.social_workers) as social_workers,
        coalesce(sum(x.person_times), 0) as person_times
    from sw_project_scope as x
    inner join street as s on x.scope_code = s.code
    where s.district_code = $district
    group by x.scope_code
),

final as (
    select
        s.code as street_code,
        s.name as street_name,
        coalesce(x.orgs, 0) as orgs,
        coalesce(x.projects, 0) as projects,
        coalesce(x.sites, 0)::bigint as sites,
        coalesce(x.social_workers, 0)::bigint as social_workers,
        coalesce(x.person_times, 0)::bigint as person_times
    from street as s
    left join per_street as x on s.code = x.street_code
    where s.district_code = $district
)

select * from final
order by street_code
