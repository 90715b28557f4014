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
    select coalesce(sum(m.person_times), 0)::bigint as person_times
    from sw_project_served as m
    where m.project_id in (select id from projects)
),

final as (
    select
        points.service_points,
        workers.supervisors,
        workers.directors,
        (select count(distinct org_id) from projects) as sw_orgs,
        (select coalesce(sum(social_workers), 0) from projects) as social_workers,
        (select count(*) from projects) as sw_projects,
        (select count(*) from sites) as sw_sites,
        served.person_times
    from points, workers, served
)

select * from final
