-- Social-work headline for a scope (one row): organisations, social workers, projects, sites, person-times, online person-times; projects count in a scope when one of their sites lies in it; $district, $street nullable.
-- Reads sw_project_scope, derived when the version was published (every project once per scope it counts in).
with
scope as (
    select coalesce($street, $district, 'city') as scope_code
    where $street is null
        or $district is null
        or exists (select 1 from street where code = $street and district_code = $district)
),

projects as (
    select x.*
    from sw_project_scope as x
    inner join scope as s on x.scope_code = s.scope_code
),

final as (
    select
        count(distinct org_id) as sw_orgs,
        coalesce(sum(social_workers), 0)::bigint as social_workers,
        count(*) as sw_projects,
        coalesce(sum(sites), 0)::bigint as sw_sites,
        coalesce(sum(person_times), 0)::bigint as person_times,
        coalesce(sum(online_person_times), 0)::bigint as online_person_times
    from projects
)

select * from final
