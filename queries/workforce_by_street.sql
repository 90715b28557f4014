-- Workforce deployment per street in scope: supervisors, community units, director records (posts), filled, vacant, units with no record, units with a children's home; $district, $street nullable.
with
streets as (
    select
        s.code as street_code,
        s.name as street_name,
        s.district_code,
        d.name as district_name
    from street as s
    inner join district as d on s.district_code = d.code
    where ($district is null or s.district_code = $district)
        and ($street is null or s.code = $street)
),

directors as (
    select
        community_code,
        count(*) as records,
        count(*) filter (where status = '在岗') as filled,
        count(*) filter (where status = '空缺') as vacant
    from worker
    where role = '儿童主任'
    group by community_code
),

homes as (
    select distinct community_code
    from point_tally
    where category = 'children_home'
),

units as (
    select
        c.street_code,
        count(*) as units,
        coalesce(sum(d.records), 0)::bigint as posts,
        coalesce(sum(d.filled), 0)::bigint as filled,
        coalesce(sum(d.vacant), 0)::bigint as vacant,
        count(*) filter (where d.community_code is null) as no_record,
        count(h.community_code) as units_with_home
    from community as c
    left join directors as d on c.code = d.community_code
    left join homes as h on c.code = h.community_code
    group by c.street_code
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
