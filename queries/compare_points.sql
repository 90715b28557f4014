-- The service points of one version in scope, for a comparison of two versions: id, name, category, district_code, street_code, lon, lat; $district, $street nullable.
select
    id,
    name,
    category,
    district_code,
    street_code,
    lon,
    lat
from service_point
where ($district is null or district_code = $district)
    and ($street is null or street_code = $street)
order by id
