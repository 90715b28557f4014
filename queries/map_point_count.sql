-- Number of service points matching the map filters: one row (points); $categories, $system, $level, $district, $street nullable.
select coalesce(sum(p.points), 0)::bigint as points
from point_tally as p
inner join service_category as c on p.category = c.code
where ($categories is null or list_contains($categories, c.code))
    and ($system is null or c.system = $system)
    and ($level is null or c.level = $level)
    and ($district is null or p.district_code = $district)
    and ($street is null or p.street_code = $street)
    and p.located
