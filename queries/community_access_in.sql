-- Capacity-aware access (2SFCA, derived in community_access) per community unit in scope ($district, $street nullable) for $categories: places per 10,000 children added over the categories, lowest first.
select
    a.community_code as unit_code,
    c.name as unit_name,
    s.name as street_name,
    d.name as district_name,
    any_value(a.children) as children,
    sum(a.places_per_10k) as places_per_10k,
    sum(a.points_within)::bigint as points_within,
    string_agg(distinct a.supply_basis, ',' order by a.supply_basis) as supply_basis
from community_access as a
inner join community as c on a.community_code = c.code
inner join street as s on c.street_code = s.code
inner join district as d on c.district_code = d.code
where list_contains($categories, a.category)
    and ($district is null or c.district_code = $district)
    and ($street is null or c.street_code = $street)
group by all
order by places_per_10k asc, unit_code asc
