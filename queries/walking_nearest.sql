-- Per community unit in scope ($district, $street nullable): great-circle metres to the nearest point of $categories, with shares.
with
units as (
    select
        c.code as unit_code,
        c.name as unit_name,
        c.district_code,
        d.name as district_name,
        c.street_code,
        s.name as street_name,
        c.lon,
        c.lat,
        c.location_method
    from community as c
    inner join street as s on c.street_code = s.code
    inner join district as d on c.district_code = d.code
    where ($district is null or c.district_code = $district)
        and ($street is null or c.street_code = $street)
),

-- Nearest per unit over the chosen categories, from the table derived when the version was published.
nearest as (
    select
        community_code as unit_code,
        min(nearest_m) as nearest_m,
        arg_min(nearest_name, nearest_m) as nearest_name,
        arg_min(category, nearest_m) as nearest_category
    from community_nearest
    where list_contains($categories, category)
    group by community_code
),

joined as (
    select
        u.unit_code,
        u.unit_name,
        u.district_code,
        u.district_name,
        u.street_code,
        u.street_name,
        u.lon,
        u.lat,
        n.nearest_m,
        n.nearest_name,
        n.nearest_category,
        u.location_method,
        k.children
    from units as u
    left join nearest as n on u.unit_code = n.unit_code
    left join population_total() as k on k.level = 'community' and u.unit_code = k.unit_code
),

-- Scope totals in one row, joined back (plain aggregates rather than window functions over ()).
totals as (
    select
        count(lon) as units_located,
        count(*) - count(lon) as units_unlocated,
        count(*) filter (where nearest_m <= 500) as within_500,
        count(*) filter (where nearest_m <= 1000) as within_1000,
        count(*) filter (where nearest_m <= 1500) as within_1500
    from joined
),

final as (
    select
        j.*,
        t.units_located,
        t.units_unlocated,
        t.within_500,
        t.within_1000,
        t.within_1500,
        t.within_500 / nullif(t.units_located, 0) as share_500,
        t.within_1000 / nullif(t.units_located, 0) as share_1000,
        t.within_1500 / nullif(t.units_located, 0) as share_1500
    from joined as j
    cross join totals as t
)

select * from final
order by nearest_m desc nulls first, unit_code asc
