-- The public view's near-me list: located service points by straight-line (great-circle) metres from ($lon, $lat), nearest first, of $category, serving the age band $age and in the form $form (all nullable; a point that states no ages or forms is kept), at most $max_rows. Only what a citizen's card shows: no person, no workforce figure.
select
    p.id,
    p.name,
    p.category,
    c.name as category_name,
    c.name_en as category_name_en,
    c.system,
    c.color,
    p.address,
    p.phone,
    p.lon,
    p.lat,
    p.updated_on,
    p.hours,
    p.services,
    p.ages,
    p.service_forms,
    p.appointment,
    d.name as district_name,
    s.name as street_name,
    2 * 6371008.8 * asin(sqrt(least(1.0, pow(sin(radians(p.lat - $lat) / 2), 2)
        + cos(radians($lat)) * cos(radians(p.lat)) * pow(sin(radians(p.lon - $lon) / 2), 2)))) as distance_m
from service_point as p
inner join service_category as c on p.category = c.code
inner join district as d on p.district_code = d.code
left join street as s on p.street_code = s.code
where p.lon is not null and p.lat is not null
    and ($category is null or p.category = $category)
    and ($age is null or p.ages is null or list_contains(string_split(p.ages, ','), $age))
    and ($form is null or p.service_forms is null or list_contains(string_split(p.service_forms, ','), $form))
order by distance_m asc, p.id asc
limit $max_rows
