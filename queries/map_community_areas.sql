-- Community units with the bureau's boundaries in a scope ($district, $street nullable) as areas: their community-level standard checks, checks met and gaps (standard_checks), and the boundary as simplified GeoJSON.
with
checks as (
    select
        unit_code,
        count(*) as checks,
        count(*) filter (where met) as checks_met
    from standard_checks()
    where level = 'community'
        and ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
    group by unit_code
)

select
    c.code,
    c.name,
    s.name as street_name,
    c.district_code,
    c.street_code,
    coalesce(k.checks, 0) as checks,
    coalesce(k.checks_met, 0) as checks_met,
    coalesce(k.checks - k.checks_met, 0) as gaps,
    c.location_note,
    g.geojson as boundary
from community as c
inner join street as s on c.street_code = s.code
inner join unit_geometry as g on c.code = g.unit_code and g.level = 'community' and g.kind = 'polygon'
left join checks as k on c.code = k.unit_code
where ($district is null or c.district_code = $district)
    and ($street is null or c.street_code = $street)
order by c.code
