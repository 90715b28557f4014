-- Every service point's id with the names a pinyin-initials search matches: point name, street name, category name (whole city; no parameters).
select
    p.id,
    p.name,
    s.name as street_name,
    c.name as category_name
from service_point as p
inner join service_category as c on p.category = c.code
left join street as s on p.street_code = s.code
order by p.id
