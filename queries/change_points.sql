-- Service points added, moved (by more than $moved_m metres) or removed from the version attached as before_version to the one attached as after_version, in scope: change, id, name, category, district_code, street_code, moved_m; $district, $street nullable.
-- Ids and positions are paired first; names and places are read only for the points that changed. The pairs that
-- differ are materialized before any distance is computed: left to the optimizer, the distance was computed for every
-- pair (docs/performance.md).
with
b as (
    select id, lon, lat
    from before_version.service_point
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

a as (
    select id, lon, lat
    from after_version.service_point
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

differing as materialized (   -- the one pass over both versions: only the pairs that differ leave it
    select
        a.id as after_id,
        b.id as before_id,
        a.lon as after_lon,
        a.lat as after_lat,
        b.lon as before_lon,
        b.lat as before_lat
    from a full outer join b on a.id = b.id
    where a.id is null or b.id is null or a.lon is distinct from b.lon or a.lat is distinct from b.lat
),

paired as (
    select
        coalesce(after_id, before_id) as id,
        case when before_id is null then 'added' when after_id is null then 'removed' else 'moved' end as change,
        -- straight-line (great-circle) distance between the two locations, metres
        2 * 6371008.8 * asin(sqrt(least(1.0, pow(sin(radians(after_lat - before_lat) / 2), 2)
            + cos(radians(after_lat)) * cos(radians(before_lat))
            * pow(sin(radians(after_lon - before_lon) / 2), 2)))) as moved_m
    from differing
),

changed as (
    select * from paired where change != 'moved' or moved_m > $moved_m
),

named as (   -- a removed point is named as it was, the others as they are now
    select c.change, c.id, p.name, p.category, p.district_code, p.street_code, c.moved_m
    from changed as c inner join after_version.service_point as p on c.id = p.id
    where c.change != 'removed'
    union all
    select c.change, c.id, p.name, p.category, p.district_code, p.street_code, c.moved_m
    from changed as c inner join before_version.service_point as p on c.id = p.id
    where c.change = 'removed'
)

select change, id, name, category, district_code, street_code, moved_m
from named
order by case change when 'added' then 0 when 'moved' then 1 else 2 end, id
