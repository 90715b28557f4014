-- Derived at publish time where the bureau's boundaries exist (needs the spatial extension): the street and
-- community boundary that contains each located service point, by DuckDB's spatial join (an R-tree over the
-- boundaries). A point on a shared edge goes to the lower code. The data-quality list and point_tally read it.
insert into point_place
with
points as (
    select
        id,
        st_point(lon, lat) as pt
    from service_point
    where lon is not null and lat is not null
),

in_street as (
    select
        p.id,
        min(g.unit_code) as street_code
    from points as p
    inner join unit_geometry as g on st_intersects(g.geom, p.pt)
    where g.level = 'street' and g.kind = 'polygon'
    group by p.id
),

in_community as (
    select
        p.id,
        min(g.unit_code) as community_code
    from points as p
    inner join unit_geometry as g on st_intersects(g.geom, p.pt)
    where g.level = 'community' and g.kind = 'polygon'
    group by p.id
)

select
    p.id,
    s.street_code,
    c.community_code
from points as p
left join in_street as s on p.id = s.id
left join in_community as c on p.id = c.id
where s.id is not null or c.id is not null
