-- Every scope-level figure of the metrics layer (caremap/report/metrics.toml), one row; $district, $street nullable.
with
points as (
    select coalesce(sum(points), 0)::bigint as service_points
    from point_tally
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

streets as (
    select code
    from street
    where ($district is null or district_code = $district)
        and ($street is null or code = $street)
),

units as (
    select code
    from community
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

workers as (
    select
        role,
        status
    from worker
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

-- in_post / vacant / no_record per street (supervisor) and community unit (director): worker_states (schema.sql).
states as (
    select
        level,
        state
    from worker_states($district, $street)
),

residents_total as (
    select case when count(*) = count(population_2020) then sum(population_2020) end as residents
    from district
    where ($district is null or code = $district) and $street is null
),

-- children of the scope (children_in, schema.sql): the coarsest level at which every unit has a count. No CTE
-- may be named like a table the macros read (population, community, ...): it would shadow it inside them.
children_total as (
    select
        max(children) as children,
        count(*) as counted
    from children_in($district, $street)
),

homes as (
    select coalesce(sum(points), 0)::bigint as homes
    from point_tally
    where category = 'children_home'
        and ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

located as (
    select
        count(*) filter (where location_method not in ('demo', 'approximate')) as units_located_bureau,
        count(*) as units_all
    from community
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

streets_located as (
    select count(*) filter (where location_method not in ('demo', 'approximate')) as streets_located_bureau
    from street
    where ($district is null or district_code = $district)
        and ($street is null or code = $street)
),

social_work as (
    select
        count(distinct org_id) as sw_orgs,
        coalesce(sum(social_workers), 0)::bigint as social_workers,
        count(*) as sw_projects,
        coalesce(sum(sites), 0)::bigint as sw_sites,
        coalesce(sum(person_times), 0)::bigint as person_times,
        coalesce(sum(online_person_times), 0)::bigint as online_person_times
    from sw_projects_in($district, $street)
),

final as (
    select
        points.service_points,
        residents_total.residents,
        points.service_points * 10000.0 / nullif(residents_total.residents, 0) as points_per_10k_residents,
        children_total.children,
        points.service_points * 10000.0 / nullif(children_total.children, 0) as points_per_10k_children,
        homes.homes * 10000.0 / nullif(children_total.children, 0) as homes_per_10k_children,
        located.units_located_bureau,
        streets_located.streets_located_bureau,
        (select count(*) from workers where role = '儿童督导员' and status = '在岗') as supervisors_in_post,
        (select count(*) from workers where role = '儿童督导员' and status = '空缺') as supervisor_posts_vacant,
        (select count(*) from streets) as streets,
        (select count(*) from states where level = 'street' and state = 'in_post') as streets_supervisor_in_post,
        (select count(*) from states where level = 'street' and state = 'vacant') as streets_supervisor_vacant,
        (select count(*) from states where level = 'street' and state = 'no_record') as streets_supervisor_no_record,
        (select count(*) from workers where role = '儿童主任' and status = '在岗') as directors_in_post,
        (select count(*) from workers where role = '儿童主任' and status = '空缺') as director_posts_vacant,
        (select count(*) from units) as community_units,
        (select count(*) from states where level = 'community' and state = 'in_post') as units_director_in_post,
        (select count(*) from states where level = 'community' and state = 'vacant') as units_director_vacant,
        (select count(*) from states where level = 'community' and state = 'no_record') as units_director_no_record,
        social_work.sw_orgs,
        social_work.social_workers,
        social_work.sw_projects,
        social_work.sw_sites,
        social_work.person_times,
        social_work.online_person_times
    from points, residents_total, children_total, homes, located, streets_located, social_work
)

select * from final
