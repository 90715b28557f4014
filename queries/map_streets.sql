-- Streets of $district (nullable = all) as proportional symbols, or areas where the bureau imported a boundary (boundary: simplified GeoJSON): point, filtered service points ($categories, $system, $level nullable), standard checks of the street and its communities, met and gaps.
with
-- Checks and checks met per street, from standard_checks() (schema.sql), shared with the coverage page.
compliance as (
    select
        street_code,
        count(*) as checks,
        count(*) filter (where met) as checks_met
    from standard_checks()
    where street_code is not null
        and ($district is null or district_code = $district)
    group by street_code
),

filtered_points as (
    select
        p.street_code,
        sum(p.points)::bigint as points
    from point_tally as p
    inner join service_category as c on p.category = c.code
    where ($categories is null or list_contains($categories, c.code))
        and ($system is null or c.system = $system)
        and ($level is null or c.level = $level)
        and ($district is null or p.district_code = $district)
    group by p.street_code
),

final as (
    select
        s.code,
        s.name,
        s.name_en,
        s.district_code,
        d.name as district_name,
        s.lon,
        s.lat,
        s.point_note,
        g.geojson as boundary,
        coalesce(f.points, 0) as points,
        coalesce(k.checks, 0) as checks,
        coalesce(k.checks_met, 0) as checks_met,
        k.checks_met / nullif(k.checks, 0) as compliance,
        coalesce(k.checks - k.checks_met, 0) as gaps
    from street as s
    inner join district as d on s.district_code = d.code
    left join filtered_points as f on s.code = f.street_code
    left join compliance as k on s.code = k.street_code
    left join unit_geometry as g on s.code = g.unit_code and g.level = 'street' and g.kind = 'polygon'
    where $district is null or s.district_code = $district
)

select * from final
order by code
