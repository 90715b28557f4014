-- Derived at publish time (build and import): per community unit and category, the great-circle metres
-- to the nearest service point and its name. Walking access and distance standards read this table
-- instead of measuring millions of pairs at every interaction.
insert into community_nearest
with
grid as (
    select
        2000 * 1.05 / 111194.93 as cell_lat,
        2000 * 1.05 / 111194.93 / cos(radians(least(coalesce(max(abs(lat)), 0) + 0.5, 89.0))) as cell_lon
    from community
),

units as (
    select
        c.code,
        c.lon,
        c.lat
    from community as c
    where c.lon is not null and c.lat is not null
),

grid_units as (
    select
        u.code,
        u.lon,
        u.lat,
        floor(u.lon / g.cell_lon) + dx.d as cx,
        floor(u.lat / g.cell_lat) + dy.d as cy
    from units as u
    cross join grid as g
    cross join (select unnest([-1, 0, 1]) as d) as dx
    cross join (select unnest([-1, 0, 1]) as d) as dy
),

points as (
    select
        p.category,
        p.name,
        p.lon,
        p.lat,
        floor(p.lon / g.cell_lon) as cx,
        floor(p.lat / g.cell_lat) as cy
    from service_point as p
    cross join grid as g
    where p.lon is not null and p.lat is not null
),

near as (
    select
        gu.code,
        p.category,
        min(2 * 6371008.8 * asin(sqrt(least(1.0, pow(sin(radians(p.lat - gu.lat) / 2), 2)
            + cos(radians(gu.lat)) * cos(radians(p.lat)) * pow(sin(radians(p.lon - gu.lon) / 2), 2))))) as nearest_m,
        arg_min(p.name, 2 * 6371008.8 * asin(sqrt(least(1.0, pow(sin(radians(p.lat - gu.lat) / 2), 2)
            + cos(radians(gu.lat)) * cos(radians(p.lat)) * pow(sin(radians(p.lon - gu.lon) / 2), 2))))) as nearest_name
    from grid_units as gu
    inner join points as p on gu.cx = p.cx and gu.cy = p.cy
    group by gu.code, p.category
),

-- Within 2 km the 3 × 3 cells hold the nearest point for sure; beyond, scan that category's points.
sure as (
    select * from near where nearest_m <= 2000
),

far as (
    select
        u.code,
        p.category,
        min(2 * 6371008.8 * asin(sqrt(least(1.0, pow(sin(radians(p.lat - u.lat) / 2), 2)
            + cos(radians(u.lat)) * cos(radians(p.lat)) * pow(sin(radians(p.lon - u.lon) / 2), 2))))) as nearest_m,
        arg_min(p.name, 2 * 6371008.8 * asin(sqrt(least(1.0, pow(sin(radians(p.lat - u.lat) / 2), 2)
            + cos(radians(u.lat)) * cos(radians(p.lat)) * pow(sin(radians(p.lon - u.lon) / 2), 2))))) as nearest_name
    from units as u
    cross join points as p
    where not exists (select 1 from sure as s where s.code = u.code and s.category = p.category)
    group by u.code, p.category
)

select * from sure
union all
select * from far
