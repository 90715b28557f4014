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

sw_projects as (
    select * from sw_projects_in($district, $street)
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
