-- Derived at publish time (build and import): service points counted per district, street, community unit,
-- category and whether located. A few thousand rows at any scale; counts by place and category read it.
insert into point_tally
select
    district_code,
    street_code,
    community_code,
    category,
    lon is not null and lat is not null as located,
    count(*) as points
from service_point
group by all
order by district_code, street_code, community_code, category
