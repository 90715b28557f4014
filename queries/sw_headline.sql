-- Social-work headline for a scope (one row): organisations, social workers, projects, sites, person-times, online person-times; projects count in a scope when one of their sites lies in it; $district, $street nullable.
with
sites as (
    select
        id,
        project_id
    from sw_site
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

projects as (
    select p.*
    from sw_project as p
    where ($district is null and $street is null)
        or p.id in (select project_id from sites)
),

served as (
    select
        coalesce(sum(m.person_times), 0)::bigint as person_times,
        coalesce(sum(m.online_person_times), 0)::bigint as online_person_times
    from sw_project_served as m
    where m.project_id in (select id from projects)
),

final as (
    select
        (select count(distinct org_id) from projects) as sw_orgs,
        (select coalesce(sum(social_workers), 0)::bigint from projects) as social_workers,
        (select count(*) from projects) as sw_projects,
        (select count(*) from sites) as sw_sites,
        served.person_times,
        served.online_person_times
    from served
)

select * from final
