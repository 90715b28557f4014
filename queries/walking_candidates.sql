-- Site search ($district, $street nullable; $category; $max_m): each located community unit, covered or not, and for uncovered ones every community-unit point within $max_m.
with
units as (
    select
        c.code as unit_code,
        c.name as unit_name,
        s.name as street_name,
        c.lon,
        c.lat
    from community as c
    inner join street as s on c.street_code = s.code
    where ($district is null or c.district_code = $district)
        and ($street is null or c.street_code = $street)
        and c.lon is not null and c.lat is not null
),

-- Grid cells 5 % larger than $max_m (widened for latitude): matches within $max_m lie in the 3 × 3 block.
grid as (
    select
        $max_m * 1.05 / 111194.93 as cell_lat,
        $max_m * 1.05 / 111194.93 / cos(radians(least(coalesce(max(abs(lat)), 0) + 0.5, 89.0))) as cell_lon
    from community
),

unit_cells as (
    select
        u.*,
        floor(u.lon / g.cell_lon) + dx.d as cx,
        floor(u.lat / g.cell_lat) + dy.d as cy
    from units as u
    cross join grid as g
    cross join (select unnest([-1, 0, 1]) as d) as dx
    cross join (select unnest([-1, 0, 1]) as d) as dy
),

-- Covered: the unit's nearest point of $category (derived when the version was published) within $max_m.
covered as (
    select n.community_code as unit_code
    from community_nearest as n
    where n.category = $category and n.nearest_m <= $max_m
),

demand as (
    select
        u.*,
        cv.unit_code is not null as covered
    from units as u
    left join covered as cv on u.unit_code = cv.unit_code
),

candidate_cells as (
    select
        u.unit_code,
        u.unit_name,
        u.street_name,
        u.lon,
        u.lat,
        floor(u.lon / g.cell_lon) as cx,
        floor(u.lat / g.cell_lat) as cy
    from units as u
    cross join grid as g
),

pairs as (
    select
        uc.unit_code as demand_code,
        cc.unit_code as candidate_code,
        cc.unit_name as candidate_name,
        cc.street_name as candidate_street,
        cc.lon as candidate_lon,
        cc.lat as candidate_lat,
        2 * 6371008.8 * asin(sqrt(least(1.0,
            pow(sin(radians(cc.lat - uc.lat) / 2), 2)
            + cos(radians(uc.lat)) * cos(radians(cc.lat)) * pow(sin(radians(cc.lon - uc.lon) / 2), 2)
        ))) as distance_m
    from unit_cells as uc
    inner join candidate_cells as cc on uc.cx = cc.cx and uc.cy = cc.cy
    where uc.unit_code not in (select cv.unit_code from covered as cv)
),

totals as (
    select
        count(*) as units_located,
        count(*) filter (where covered) as units_covered
    from demand
),

final as (
    select
        d.unit_code as demand_code,
        d.unit_name as demand_name,
        d.covered,
        p.candidate_code,
        p.candidate_name,
        p.candidate_street,
        p.candidate_lon,
        p.candidate_lat,
        p.distance_m,
        t.units_located,
        t.units_covered
    from demand as d
    cross join totals as t
    left join pairs as p on d.unit_code = p.demand_code and p.distance_m <= $max_m
)

select * from final
order by demand_code asc, candidate_code asc
