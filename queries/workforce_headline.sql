-- Workforce headline for a scope (one row): supervisors and directors in post, vacant director records, community units, units with no director record; $district, $street nullable.
with
units as (
    select code
    from community
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

workers as (
    select
        role,
        status,
        community_code
    from worker
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

final as (
    select
        (select count(*) from workers where role = '儿童督导员' and status = '在岗') as supervisors,
        (select count(*) from workers where role = '儿童主任' and status = '在岗') as directors,
        (select count(*) from workers where role = '儿童主任' and status = '空缺') as vacant,
        (select count(*) from units) as units,
        (
            select count(*)
            from units as u
            where not exists (
                select 1 from workers as w
                where w.role = '儿童主任' and w.community_code = u.code
            )
        ) as units_no_record
)

select * from final
