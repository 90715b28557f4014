-- Service points whose stated street or community is not the one whose imported boundary contains them (point_place), in $district (nullable = all): the data-quality list.
select
    p.id,
    p.name,
    k.name as category_name,
    p.district_code,
    p.street_code,
    s.name as street_name,
    pp.street_code as found_street_code,
    fs.name as found_street_name,
    p.community_code,
    c.name as community_name,
    pp.community_code as found_community_code,
    fc.name as found_community_name,
    p.lon,
    p.lat
from point_place as pp
inner join service_point as p on pp.id = p.id
inner join service_category as k on p.category = k.code
left join street as s on p.street_code = s.code
left join street as fs on pp.street_code = fs.code
left join community as c on p.community_code = c.code
left join community as fc on pp.community_code = fc.code
where ($district is null or p.district_code = $district)
    and ((pp.street_code is not null and p.street_code is not null and pp.street_code <> p.street_code)
        or (pp.community_code is not null and p.community_code is not null and pp.community_code <> p.community_code))
order by p.district_code, p.street_code, p.id
