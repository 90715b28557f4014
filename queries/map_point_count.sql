-- Number of service points matching the map filters: one row (points); $categories, $system, $level, $district, $street nullable.
select count(*) as points
from service_point as p
inner join service_category as c on p.category = c.code
where ($categories is null or list_contains($categories, c.code))
    and ($system is null or c.system = $system)
    and ($level is null or c.level = $level)
    and ($district is null or p.district_code = $district)
    and ($street is null or p.street_code = $street)
    and p.lon is not null
    and p.lat is not null
