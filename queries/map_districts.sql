-- The 10 districts for the choropleth: boundary geojson, population, filtered service points ($categories, $system, $level nullable), points per 10,000 residents, standard checks, met, compliance and gaps.
with
-- Checks and checks met per district, from standard_checks() (schema.sql), shared with the coverage page.
compliance as (
    select
        district_code,
        count(*) as checks,
        count(*) filter (where met) as checks_met
    from standard_checks()
    group by district_code
),

filtered_points as (
    select
        p.district_code,
        sum(p.points)::bigint as points
    from point_tally as p
    inner join service_category as c on p.category = c.code
    where ($categories is null or list_contains($categories, c.code))
        and ($system is null or c.system = $system)
        and ($level is null or c.level = $level)
    group by p.district_code
),

final as (
    select
        d.code,
        d.name,
        d.name_en,
        d.population_2020,
        d.label_lon,
        d.label_lat,
        d.geojson,
        coalesce(f.points, 0) as points,
        coalesce(f.points, 0) * 10000.0 / nullif(d.population_2020, 0) as points_per_10k,
        coalesce(k.checks, 0) as checks,
        coalesce(k.checks_met, 0) as checks_met,
        k.checks_met / nullif(k.checks, 0) as compliance,
        coalesce(k.checks - k.checks_met, 0) as gaps
    from district as d
    left join filtered_points as f on d.code = f.district_code
    left join compliance as k on d.code = k.district_code
)

select * from final
order by code
