-- Site planner: every pair of located community units in scope ($district, $street nullable) within $max_m of each other (itself included): demand_code, candidate_code, distance_m.
with
units as (
    select
        code,
        lon,
        lat
    from community
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
        and lon is not null and lat is not null
),

-- Grid cells 5 % larger than $max_m (widened for latitude): pairs within $max_m lie in the 3 × 3 block.
grid as (
    select
        greatest($max_m, 1.0) * 1.05 / 111194.93 as cell_lat,
        greatest($max_m, 1.0) * 1.05 / 111194.93
        / cos(radians(least(coalesce(max(abs(lat)), 0) + 0.5, 89.0))) as cell_lon
    from units
),

demand_cells as (
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

candidate_cells as (
    select
        u.code,
        u.lon,
        u.lat,
        floor(u.lon / g.cell_lon) as cx,
        floor(u.lat / g.cell_lat) as cy
    from units as u
    cross join grid as g
),

pairs as (
    select
        d.code as demand_code,
        c.code as candidate_code,
        2 * 6371008.8 * asin(sqrt(least(1.0,
            pow(sin(radians(c.lat - d.lat) / 2), 2)
            + cos(radians(d.lat)) * cos(radians(c.lat)) * pow(sin(radians(c.lon - d.lon) / 2), 2)
        ))) as distance_m
    from demand_cells as d
    inner join candidate_cells as c on d.cx = c.cx and d.cy = c.cy
),

final as (
    select
        demand_code,
        candidate_code,
        distance_m
    from pairs
    where distance_m <= $max_m
)

select * from final
order by demand_code asc, candidate_code asc
