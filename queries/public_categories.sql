-- Service categories with at least one located point, for the public view's filter; no parameters.
select
    c.code,
    c.name,
    c.name_en,
    c.system,
    c.color,
    count(*) as points
from service_category as c
inner join service_point as p on c.code = p.category
where p.lon is not null
group by all
order by c.code
