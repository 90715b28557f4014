-- Social-work headline for a scope (one row): organisations, social workers, projects, sites, person-times, online person-times; projects count in a scope when one of their sites lies in it; $district, $street nullable.
-- Reads sw_projects_in (schema.sql): sw_project_scope, derived when the version was published, in scope.
with
projects as (
    select * from sw_projects_in($district, $street)
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
