-- Service points per street × category (with owning system) in scope; $district, $street nullable.
with
points as (
    select
        street_code,
        category,
        points
    from point_tally
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
        and street_code is not null
),

final as (
    select
        s.code as street_code,
        s.name as street_name,
        s.district_code,
        c.code as category,
        c.name as category_name,
        c.name_en as category_name_en,
        c.system,
        sum(p.points)::bigint as points
    from points as p
    inner join street as s on p.street_code = s.code
    inner join service_category as c on p.category = c.code
    group by all
)

select * from final
order by street_code, system, category
