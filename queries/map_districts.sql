-- The 10 districts for the choropleth: boundary geojson, population, filtered service points ($categories, $system, $level nullable), points per 10,000 residents, standard checks, met, compliance and gaps.
with
units as (
    select
        code as unit_code,
        code as district_code,
        'district' as level,
        null::double as lon,
        null::double as lat
    from district
    union all
    select
        code as unit_code,
        district_code,
        'street' as level,
        lon,
        lat
    from street
    union all
    select
        code as unit_code,
        district_code,
        'community' as level,
        lon,
        lat
    from community
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
        u.district_code,
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
        c.district_code,
        count(*) as checks,
        count(m.unit_code) as checks_met
    from checks as c
    left join met as m on c.unit_code = m.unit_code and c.standard_id = m.standard_id
    group by c.district_code
),

filtered_points as (
    select
        p.district_code,
        sum(p.points)::bigint as points
    from point_tally as p
    inner join service_category as c on p.category = c.code
    where ($categories is null or list_contains($categories, c.code))
        and ($system is null or c.system = $system)
        and ($level is null or c.level = $level)
    group by p.district_code
),

final as (
    select
        d.code,
        d.name,
        d.name_en,
        d.population_2020,
        d.label_lon,
        d.label_lat,
        d.geojson,
        coalesce(f.points, 0) as points,
        round(coalesce(f.points, 0) * 10000.0 / nullif(d.population_2020, 0), 3) as points_per_10k,
        coalesce(k.checks, 0) as checks,
        coalesce(k.checks_met, 0) as checks_met,
        round(k.checks_met / nullif(k.checks, 0), 4) as compliance,
        coalesce(k.checks - k.checks_met, 0) as gaps
    from district as d
    left join filtered_points as f on d.code = f.district_code
    left join compliance as k on d.code = k.district_code
)

select * from final
order by code
