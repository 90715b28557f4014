-- Service points by owning system and network level for a scope ($district, $street nullable).
with
points as (
    select
        category,
        points
    from point_tally
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

final as (
    select
        c.system,
        c.level,
        case c.level when 'city' then 1 when 'district' then 2 when 'street' then 3 else 4 end as level_order,
        sum(p.points)::bigint as points
    from points as p
    inner join service_category as c on p.category = c.code
    group by c.system, c.level
)

select * from final
order by system, level_order
