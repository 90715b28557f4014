-- Service categories with their owning system, colour and the number of service points in scope; $district, $street nullable.
with
points as (
    select
        category,
        sum(points)::bigint as points
    from point_tally
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
    group by category
),

final as (
    select
        c.code,
        c.name,
        c.name_en,
        c.system,
        c.level,
        c.color,
        coalesce(p.points, 0) as points
    from service_category as c
    left join points as p on c.code = p.category
)

select * from final
order by system, code
