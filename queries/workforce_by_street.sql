-- Workforce deployment per street in scope: supervisors, community units, director records (posts), filled, vacant, units with no record, units with a children's home; $district, $street nullable.
with
streets as (
    select * from streets_in($district, $street)
),

-- per community unit: director records and children's homes (community_tally, schema.sql)
units as (
    select
        street_code,
        count(*) as units,
        sum(posts)::bigint as posts,
        sum(filled)::bigint as filled,
        sum(vacant)::bigint as vacant,
        count(*) filter (where not has_record) as no_record,
        count(*) filter (where homes > 0) as units_with_home
    from community_tally()
    group by street_code
),

supervisors as (
    select
        street_code,
        count(*) filter (where status = '在岗') as supervisors
    from worker
    where role = '儿童督导员'
    group by street_code
),

training as (
    select
        street_code,
        avg(training_hours) as avg_training_hours
    from worker
    where role = '儿童主任' and status = '在岗'
    group by street_code
),

final as (
    select
        s.district_code,
        s.district_name,
        s.street_code,
        s.street_name,
        coalesce(v.supervisors, 0) as supervisors,
        coalesce(u.units, 0) as units,
        coalesce(u.posts, 0) as posts,
        coalesce(u.filled, 0) as filled,
        coalesce(u.vacant, 0) as vacant,
        coalesce(u.no_record, 0) as no_record,
        coalesce(u.units_with_home, 0) as units_with_home,
        round(coalesce(u.units_with_home, 0) / nullif(u.units, 0), 3) as home_coverage,
        round(t.avg_training_hours, 1) as avg_training_hours
    from streets as s
    left join units as u on s.street_code = u.street_code
    left join supervisors as v on s.street_code = v.street_code
    left join training as t on s.street_code = t.street_code
)

select * from final
order by street_code
