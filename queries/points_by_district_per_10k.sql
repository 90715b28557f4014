-- Per district in scope ($district nullable): service points, 2020 census population (null where none is sourced), points per 10,000.
with
points as (
    select
        district_code,
        sum(points)::bigint as points
    from point_tally
    where $district is null or district_code = $district
    group by district_code
),

final as (
    select
        d.code as district_code,
        d.name as district_name,
        d.name_en as district_name_en,
        coalesce(p.points, 0) as points,
        d.population_2020,
        d.population_source,
        round(coalesce(p.points, 0) * 10000.0 / d.population_2020, 2) as per_10k
    from district as d
    left join points as p on d.code = p.district_code
    where $district is null or d.code = $district
)

select * from final
order by district_code
