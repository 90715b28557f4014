-- Children per unit as imported, with the unit's name, the year and the source; no parameters.
select
    p.level,
    p.unit_code,
    coalesce(d.name, s.name, c.name) as unit_name,
    p.age_band,
    p.children,
    p.year,
    p.source,
    p.file_name
from population as p
left join district as d on p.level = 'district' and p.unit_code = d.code
left join street as s on p.level = 'street' and p.unit_code = s.code
left join community as c on p.level = 'community' and p.unit_code = c.code
order by p.level, p.unit_code, p.age_band
