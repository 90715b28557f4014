-- Derived at publish time (build and import): per community unit and category, the great-circle metres
-- to the nearest service point and its name. Walking access and distance standards read this table
-- instead of measuring millions of pairs at every interaction.
--
-- Exact, and bounded at any scale. Points are put in grid cells a little over 2 km wide.
-- (1) Near: a point within 2 km of a unit lies in the 3 × 3 cells around it, so those cells' points
--     decide every unit × category with a point within 2 km.
-- (2) Far, for the other unit × category pairs: every occupied cell has a representative (one of its
--     points); the nearest representative bounds the distance from above. Only cells whose middle lies
--     within that bound plus half a cell diagonal can hold a nearer point, and only their points are
--     measured. The cost follows the occupied cells, not the number of points.
insert into community_nearest
with
reference as (
    select least(coalesce(max(abs(lat)), 0) + 0.5, 89.0) as lat_deg
    from community
),

grid as (
    select
        2000 * 1.05 / 111194.93 as cell_lat,
        2000 * 1.05 / 111194.93 / cos(radians(r.lat_deg)) as cell_lon,
        -- half the widest cell's diagonal in metres, 2 % to spare for the sphere
        1.02 * 0.5 * 2000 * 1.05 * sqrt(1 + pow(1 / cos(radians(r.lat_deg)), 2)) as half_diag_m
    from reference as r
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

sure as (
    select * from near where nearest_m <= 2000
),

cells as (
    select
        p.category,
        p.cx,
        p.cy,
        arg_min(p.lon, p.lat) as rep_lon,
        min(p.lat) as rep_lat,
        (p.cx + 0.5) * any_value(g.cell_lon) as mid_lon,
        (p.cy + 0.5) * any_value(g.cell_lat) as mid_lat
    from points as p
    cross join grid as g
    group by p.category, p.cx, p.cy
),

far_cells as (
    select
        u.code,
        u.lon,
        u.lat,
        c.category,
        c.cx,
        c.cy,
        2 * 6371008.8 * asin(sqrt(least(1.0, pow(sin(radians(c.rep_lat - u.lat) / 2), 2)
            + cos(radians(u.lat)) * cos(radians(c.rep_lat)) * pow(sin(radians(c.rep_lon - u.lon) / 2), 2)))) as rep_m,
        2 * 6371008.8 * asin(sqrt(least(1.0, pow(sin(radians(c.mid_lat - u.lat) / 2), 2)
            + cos(radians(u.lat)) * cos(radians(c.mid_lat)) * pow(sin(radians(c.mid_lon - u.lon) / 2), 2)))) as mid_m
    from units as u
    cross join cells as c
    anti join sure as s on u.code = s.code and c.category = s.category
),

candidates as (
    select
        fc.code,
        fc.lon,
        fc.lat,
        fc.category,
        fc.cx,
        fc.cy
    from far_cells as fc
    cross join grid as g
    qualify fc.mid_m <= min(fc.rep_m) over (partition by fc.code, fc.category) + g.half_diag_m
),

far as (
    select
        k.code,
        k.category,
        min(2 * 6371008.8 * asin(sqrt(least(1.0, pow(sin(radians(p.lat - k.lat) / 2), 2)
            + cos(radians(k.lat)) * cos(radians(p.lat)) * pow(sin(radians(p.lon - k.lon) / 2), 2))))) as nearest_m,
        arg_min(p.name, 2 * 6371008.8 * asin(sqrt(least(1.0, pow(sin(radians(p.lat - k.lat) / 2), 2)
            + cos(radians(k.lat)) * cos(radians(p.lat)) * pow(sin(radians(p.lon - k.lon) / 2), 2))))) as nearest_name
    from candidates as k
    inner join points as p on k.category = p.category and k.cx = p.cx and k.cy = p.cy
    group by k.code, k.category
)

select * from sure
union all
select * from far
