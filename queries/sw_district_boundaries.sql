-- District boundaries for small offline maps: code, name, GeoJSON geometry text, and whether the district is the $district in scope (nullable).
select
    code,
    name,
    name_en,
    geojson,
    coalesce(code = $district, false) as in_scope
from district
where geojson is not null
order by code
