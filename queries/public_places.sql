-- The places a citizen may start from in the public view: districts, streets and community units with their location (the community's may be a demo location), in $district (nullable); no parameters besides it.
select
    'district' as kind,
    d.code,
    d.name,
    d.code as district_code,
    null::varchar as street_code,
    d.label_lon as lon,
    d.label_lat as lat
from district as d
where $district is null or d.code = $district
union all
select
    'street' as kind,
    s.code,
    s.name,
    s.district_code,
    s.code as street_code,
    s.lon,
    s.lat
from street as s
where $district is null or s.district_code = $district
union all
select
    'community' as kind,
    c.code,
    c.name,
    c.district_code,
    c.street_code,
    c.lon,
    c.lat
from community as c
where $district is null or c.district_code = $district
order by kind, code
