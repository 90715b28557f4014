-- Per community unit in scope ($district, $street nullable): great-circle metres to the nearest point of $categories, with shares.
with
units as (
    select
        c.code as unit_code,
        c.name as unit_name,
        c.district_code,
        d.name as district_name,
        c.street_code,
        s.name as street_name,
        c.lon,
        c.lat
    from community as c
    inner join street as s on c.street_code = s.code
    inner join district as d on c.district_code = d.code
    where ($district is null or c.district_code = $district)
        and ($street is null or c.street_code = $street)
),

points as (
    select
        p.name,
        p.category,
        p.lon,
        p.lat
    from service_point as p
    where list_contains($categories, p.category) and p.lon is not null and p.lat is not null
),

-- A 2 km grid (cells 5 % larger, widened for latitude) finds the nearest point of most units cheaply;
-- units with nothing within 2 km fall back to a scan of all candidate points below.
grid as (
    select
        2000 * 1.05 / 111194.93 as cell_lat,
        2000 * 1.05 / 111194.93 / cos(radians(least(coalesce(max(abs(lat)), 0) + 0.5, 89.0))) as cell_lon
    from community
),

grid_units as (
    select
        u.unit_code,
        u.lon,
        u.lat,
        floor(u.lon / g.cell_lon) + dx.d as cx,
        floor(u.lat / g.cell_lat) + dy.d as cy
    from units as u
    cross join grid as g
    cross join (select unnest([-1, 0, 1]) as d) as dx
    cross join (select unnest([-1, 0, 1]) as d) as dy
    where u.lon is not null and u.lat is not null
),

grid_points as (
    select
        p.*,
        floor(p.lon / g.cell_lon) as cx,
        floor(p.lat / g.cell_lat) as cy
    from points as p
    cross join grid as g
),

near_pairs as (
    select
        gu.unit_code,
        gp.name,
        gp.category,
        2 * 6371008.8 * asin(sqrt(least(1.0,
            pow(sin(radians(gp.lat - gu.lat) / 2), 2)
            + cos(radians(gu.lat)) * cos(radians(gp.lat)) * pow(sin(radians(gp.lon - gu.lon) / 2), 2)
        ))) as distance_m
    from grid_units as gu
    inner join grid_points as gp on gu.cx = gp.cx and gu.cy = gp.cy
),

near as (
    select
        unit_code,
        min(distance_m) as nearest_m,
        arg_min(name, distance_m) as nearest_name,
        arg_min(category, distance_m) as nearest_category
    from near_pairs
    where distance_m <= 2000
    group by unit_code
),

far_pairs as (
    select
        u.unit_code,
        p.name,
        p.category,
        2 * 6371008.8 * asin(sqrt(least(1.0,
            pow(sin(radians(p.lat - u.lat) / 2), 2)
            + cos(radians(u.lat)) * cos(radians(p.lat)) * pow(sin(radians(p.lon - u.lon) / 2), 2)
        ))) as distance_m
    from units as u
    cross join points as p
    where u.lon is not null and u.lat is not null
        and u.unit_code not in (select n.unit_code from near as n)
),

far as (
    select
        unit_code,
        min(distance_m) as nearest_m,
        arg_min(name, distance_m) as nearest_name,
        arg_min(category, distance_m) as nearest_category
    from far_pairs
    group by unit_code
),

nearest as (
    select * from near
    union all
    select * from far
),

joined as (
    select
        u.unit_code,
        u.unit_name,
        u.district_code,
        u.district_name,
        u.street_code,
        u.street_name,
        u.lon,
        u.lat,
        n.nearest_m,
        n.nearest_name,
        n.nearest_category
    from units as u
    left join nearest as n on u.unit_code = n.unit_code
),

-- Scope totals in one row, joined back (plain aggregates rather than window functions over ()).
totals as (
    select
        count(lon) as units_located,
        count(*) - count(lon) as units_unlocated,
        count(*) filter (where nearest_m <= 500) as within_500,
        count(*) filter (where nearest_m <= 1000) as within_1000,
        count(*) filter (where nearest_m <= 1500) as within_1500
    from joined
),

final as (
    select
        j.*,
        t.units_located,
        t.units_unlocated,
        t.within_500,
        t.within_1000,
        t.within_1500,
        t.within_500 / nullif(t.units_located, 0) as share_500,
        t.within_1000 / nullif(t.units_located, 0) as share_1000,
        t.within_1500 / nullif(t.units_located, 0) as share_1500
    from joined as j
    cross join totals as t
)

select * from final
order by nearest_m desc nulls first, unit_code asc
