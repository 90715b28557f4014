-- Headline figures for a scope: one row; $district and $street are nullable (null = whole city).
with
points as (
    select coalesce(sum(points), 0)::bigint as service_points
    from point_tally
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

workers as (
    select
        count(*) filter (where role = '儿童督导员' and status = '在岗') as supervisors,
        count(*) filter (where role = '儿童主任' and status = '在岗') as directors
    from worker
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

sw_scope as (
    select coalesce($street, $district, 'city') as scope_code
    where $street is null
        or $district is null
        or exists (select 1 from street where code = $street and district_code = $district)
),

sw_projects as (
    select x.*
    from sw_project_scope as x
    inner join sw_scope as s on x.scope_code = s.scope_code
),

social_work as (
    select
        count(distinct org_id) as sw_orgs,
        coalesce(sum(social_workers), 0)::bigint as social_workers,
        count(*) as sw_projects,
        coalesce(sum(sites), 0)::bigint as sw_sites,
        coalesce(sum(person_times), 0)::bigint as person_times
    from sw_projects
),

final as (
    select
        points.service_points,
        workers.supervisors,
        workers.directors,
        social_work.sw_orgs,
        social_work.social_workers,
        social_work.sw_projects,
        social_work.sw_sites,
        social_work.person_times
    from points, workers, social_work
)

select * from final
