-- One service point as the public view's card shows it ($id): what the near-me list carries, without a distance.
select
    p.id,
    p.name,
    p.category,
    c.name as category_name,
    c.name_en as category_name_en,
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
    d.name as district_name
from service_point as p
inner join service_category as c on p.category = c.code
inner join district as d on p.district_code = d.code
where p.id = $id
