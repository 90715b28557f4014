-- Children and services per 10,000 children for each street of a scope ($district nullable), or each community unit of $street: each street's children by the metrics' own rule (children_in, schema.sql), a unit's from its count (population_total).
with
units as (
    select
        'street' as level,
        s.code,
        s.name,
        s.district_code,
        k.children
    from street as s
    left join lateral (select x.children from children_in(s.district_code, s.code) as x) as k on true
    where $street is null and ($district is null or s.district_code = $district)
    union all
    select
        'community' as level,
        c.code,
        c.name,
        c.district_code,
        t.children
    from community as c
    left join population_total() as t on t.level = 'community' and c.code = t.unit_code
    where $street is not null and c.street_code = $street
),

tally as (
    select
        coalesce(case when $street is null then street_code else community_code end, '') as code,
        sum(points)::bigint as points,
        coalesce(sum(points) filter (where category = 'children_home'), 0)::bigint as homes
    from point_tally
    group by coalesce(case when $street is null then street_code else community_code end, '')
)

select
    u.level,
    u.code,
    u.name,
    u.children,
    coalesce(k.points, 0) as points,
    coalesce(k.homes, 0) as homes,
    coalesce(k.points, 0) * 10000.0 / nullif(u.children, 0) as points_per_10k_children,
    coalesce(k.homes, 0) * 10000.0 / nullif(u.children, 0) as homes_per_10k_children
from units as u
left join tally as k on u.code = k.code
order by u.children is null asc, points_per_10k_children asc, u.code asc
