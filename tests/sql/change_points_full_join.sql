-- The tests' oracle for queries/change_points.sql: its first form, which joins every point of both versions with its name and places and measures every pair (test_compare.py checks both give the same rows).
with
b as (
    select id, name, category, district_code, street_code, lon, lat
    from before_version.service_point
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

a as (
    select id, name, category, district_code, street_code, lon, lat
    from after_version.service_point
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

paired as (
    select
        coalesce(a.id, b.id) as id,
        coalesce(a.name, b.name) as name,
        coalesce(a.category, b.category) as category,
        coalesce(a.district_code, b.district_code) as district_code,
        coalesce(a.street_code, b.street_code) as street_code,
        case when b.id is null then 'added' when a.id is null then 'removed' else 'moved' end as change,
        -- straight-line (great-circle) distance between the two locations, metres
        2 * 6371008.8 * asin(sqrt(least(1.0, pow(sin(radians(a.lat - b.lat) / 2), 2)
            + cos(radians(a.lat)) * cos(radians(b.lat)) * pow(sin(radians(a.lon - b.lon) / 2), 2)))) as moved_m
    from a full outer join b on a.id = b.id
)

select change, id, name, category, district_code, street_code, moved_m
from paired
where change != 'moved' or moved_m > $moved_m
order by case change when 'added' then 0 when 'moved' then 1 else 2 end, id
