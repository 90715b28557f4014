-- Streets of $district (nullable = all) as proportional symbols: point, filtered service points ($categories, $system, $level nullable), standard checks of the street and its communities, met and gaps.
with
units as (
    select
        code as unit_code,
        code as street_code,
        district_code,
        'street' as level,
        lon,
        lat
    from street
    where $district is null or district_code = $district
    union all
    select
        code as unit_code,
        street_code,
        district_code,
        'community' as level,
        lon,
        lat
    from community
    where $district is null or district_code = $district
),

point_units as (
    select
        district_code as unit_code,
        category
    from point_tally
    union all
    select
        street_code as unit_code,
        category
    from point_tally
    where street_code is not null
    union all
    select
        community_code as unit_code,
        category
    from point_tally
    where community_code is not null
),

worker_units as (
    select
        district_code as unit_code,
        role
    from worker
    where status = '在岗'
    union all
    select
        street_code as unit_code,
        role
    from worker
    where status = '在岗' and street_code is not null
    union all
    select
        community_code as unit_code,
        role
    from worker
    where status = '在岗' and community_code is not null
),

checks as (
    select
        u.unit_code,
        u.street_code,
        u.lon,
        u.lat,
        s.id as standard_id,
        s.kind,
        s.category,
        s.role,
        s.categories,
        s.max_m
    from units as u
    inner join coverage_standard as s on u.level = s.level
),

category_met as (
    select distinct
        c.unit_code,
        c.standard_id
    from checks as c
    inner join point_units as p on c.unit_code = p.unit_code and c.category = p.category
    where c.kind = 'category'
),

worker_met as (
    select distinct
        c.unit_code,
        c.standard_id
    from checks as c
    inner join worker_units as w on c.unit_code = w.unit_code and c.role = w.role
    where c.kind = 'worker'
),

distance_met as (
    -- nearest distances per unit and category are derived when the version is published
    select distinct
        c.unit_code,
        c.standard_id
    from checks as c
    inner join community_nearest as n
        on c.unit_code = n.community_code and list_contains(c.categories, n.category)
    where c.kind = 'distance' and n.nearest_m <= c.max_m
),

met as (
    select * from category_met
    union all
    select * from worker_met
    union all
    select * from distance_met
),

compliance as (
    select
        c.street_code,
        count(*) as checks,
        count(m.unit_code) as checks_met
    from checks as c
    left join met as m on c.unit_code = m.unit_code and c.standard_id = m.standard_id
    group by c.street_code
),

filtered_points as (
    select
        p.street_code,
        sum(p.points)::bigint as points
    from point_tally as p
    inner join service_category as c on p.category = c.code
    where ($categories is null or list_contains($categories, c.code))
        and ($system is null or c.system = $system)
        and ($level is null or c.level = $level)
        and ($district is null or p.district_code = $district)
    group by p.street_code
),

final as (
    select
        s.code,
        s.name,
        s.district_code,
        d.name as district_name,
        s.lon,
        s.lat,
        s.point_note,
        coalesce(f.points, 0) as points,
        coalesce(k.checks, 0) as checks,
        coalesce(k.checks_met, 0) as checks_met,
        round(k.checks_met / nullif(k.checks, 0), 4) as compliance,
        coalesce(k.checks - k.checks_met, 0) as gaps
    from street as s
    inner join district as d on s.district_code = d.code
    left join filtered_points as f on s.code = f.street_code
    left join compliance as k on s.code = k.street_code
    where $district is null or s.district_code = $district
)

select * from final
order by code
