-- The $k streets in scope whose in-post child directors have the fewest average training hours; $district, $street nullable.
with
directors as (
    select
        street_code,
        count(*) as directors,
        avg(training_hours) as avg_training_hours,
        min(training_hours) as min_training_hours,
        count(*) filter (where training_hours < 20) as under_20_hours
    from worker
    where role = '儿童主任' and status = '在岗'
        and ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
    group by street_code
),

final as (
    select
        d.name as district_name,
        s.name as street_name,
        s.code as street_code,
        t.directors,
        round(t.avg_training_hours, 1) as avg_training_hours,
        t.min_training_hours,
        t.under_20_hours,
        row_number() over (order by t.avg_training_hours, s.code) as rank
    from directors as t
    inner join street as s on t.street_code = s.code
    inner join district as d on s.district_code = d.code
)

select * from final
where rank <= $k
order by rank
