-- Where each level's locations and children come from: units, with the bureau's boundary, with its location point, on an approximate or demo location, with a child count; no parameters.
with
counted as (
    select
        level,
        unit_code
    from population_total()
    where children is not null
),

units as (
    select
        'district' as level,
        1 as rank,
        code,
        'boundary' as method
    from district
    union all
    select
        'street' as level,
        2 as rank,
        code,
        location_method as method
    from street
    union all
    select
        'community' as level,
        3 as rank,
        code,
        location_method as method
    from community
)

select
    u.level,
    count(*) as units,
    count(*) filter (where u.method in ('centroid', 'inner_point', 'boundary')) as boundary,
    count(*) filter (where u.method = 'given_point') as point,
    count(*) filter (where u.method in ('approximate', 'demo')) as fallback,
    count(c.unit_code) as with_children
from units as u
left join counted as c on u.level = c.level and u.code = c.unit_code
group by u.level
order by min(u.rank)
