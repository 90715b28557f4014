-- Derived at publish time (build and import): service points counted per district, street, community unit,
-- category and whether located. A few thousand rows at any scale; counts by place and category read it.
-- A point whose file gave no street or community counts where the bureau's boundaries place it (point_place),
-- if that lies in its stated district (and street); a stated place is never overridden (mismatches are listed).
insert into point_tally
select
    p.district_code,
    coalesce(p.street_code, fs.code, fc.street_code) as street_code,
    coalesce(p.community_code, fc.code) as community_code,
    p.category,
    p.lon is not null and p.lat is not null as located,
    count(*) as points
from service_point as p
left join point_place as pp on p.id = pp.id
left join street as fs on pp.street_code = fs.code and p.street_code is null and p.district_code = fs.district_code
left join community as fc
    on pp.community_code = fc.code and p.community_code is null and p.district_code = fc.district_code
        and coalesce(p.street_code, fs.code, fc.street_code) = fc.street_code
group by all
order by 1, 2, 3, 4
