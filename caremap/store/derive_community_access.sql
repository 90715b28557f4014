-- Derived at publish time where children per community unit are known: capacity-aware walking access by the
-- two-step floating catchment area method (2SFCA; Luo & Wang 2003) with a 1,000 m straight-line catchment (the
-- 15-minute life circle of GB 50180-2018).
-- (1) Each service point's ratio R = its places / the children of every community unit within 1,000 m.
-- (2) Each community unit's access A = the sum of R over the points within 1,000 m, times 10,000: places per
--     10,000 children. Places are the imported capacity where every point of the category has one; otherwise
--     each point counts as one place (supply_basis says which). Pairs come from a 3 × 3 grid of ~1 km cells.
insert into community_access
with
params as (
    select
        1000.0 as catchment_m,
        1000.0 * 1.05 / 111194.93 as cell_lat,
        -- cells wide enough in longitude at the highest latitude of the data
        1000.0 * 1.05 / 111194.93 / cos(radians(least(coalesce(max(abs(lat)), 0) + 0.5, 89.0))) as cell_lon
    from community
),

demand as (
    select
        c.code,
        c.lon,
        c.lat,
        t.children
    from community as c
    inner join population_total() as t on t.level = 'community' and c.code = t.unit_code
    where c.lon is not null and c.lat is not null and t.children > 0
),

basis as (
    select
        category,
        case when count(*) = count(capacity) then 'capacity' else 'points' end as supply_basis
    from service_point
    where lon is not null and lat is not null
    group by category
),

supply as (
    select
        p.id,
        p.category,
        p.lon,
        p.lat,
        b.supply_basis,
        case when b.supply_basis = 'capacity' then p.capacity else 1 end as places,
        floor(p.lon / pr.cell_lon) as cx,
        floor(p.lat / pr.cell_lat) as cy
    from service_point as p
    inner join basis as b on p.category = b.category
    cross join params as pr
    where p.lon is not null and p.lat is not null
),

demand_cells as (
    select
        d.*,
        floor(d.lon / pr.cell_lon) + dx.d as cx,
        floor(d.lat / pr.cell_lat) + dy.d as cy
    from demand as d
    cross join params as pr
    cross join (select unnest([-1, 0, 1]) as d) as dx
    cross join (select unnest([-1, 0, 1]) as d) as dy
),

pairs as (
    select
        dc.code,
        dc.children,
        s.id,
        s.category,
        s.places
    from demand_cells as dc
    inner join supply as s on dc.cx = s.cx and dc.cy = s.cy
    cross join params as pr
    where 2 * 6371008.8 * asin(sqrt(least(1.0, pow(sin(radians(s.lat - dc.lat) / 2), 2)
        + cos(radians(dc.lat)) * cos(radians(s.lat)) * pow(sin(radians(s.lon - dc.lon) / 2), 2))))
        <= pr.catchment_m
),

ratio as (
    select
        id,
        any_value(places) / sum(children) as r
    from pairs
    group by id
),

access as (
    select
        p.code,
        p.category,
        sum(r.r) * 10000 as places_per_10k,
        count(*) as points_within
    from pairs as p
    inner join ratio as r on p.id = r.id
    group by p.code, p.category
)

select
    d.code as community_code,
    b.category,
    d.children,
    pr.catchment_m,
    coalesce(a.places_per_10k, 0) as places_per_10k,
    b.supply_basis,
    coalesce(a.points_within, 0) as points_within
from demand as d
cross join basis as b
cross join params as pr
left join access as a on d.code = a.code and b.category = a.category
order by d.code, b.category
