-- Service points per district × category (with owning system) in scope; $district, $street nullable.
with
points as (
    select
        district_code,
        category,
        points
    from point_tally
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

final as (
    select
        d.code as district_code,
        d.name as district_name,
        d.name_en as district_name_en,
        c.code as category,
        c.name as category_name,
        c.name_en as category_name_en,
        c.system,
        sum(p.points)::bigint as points
    from points as p
    inner join district as d on p.district_code = d.code
    inner join service_category as c on p.category = c.code
    group by all
)

select * from final
order by district_code, system, category
