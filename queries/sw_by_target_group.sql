-- Projects in scope by target group: projects, social workers, person-times; $district, $street nullable.
with
scope as (
    select coalesce($street, $district, 'city') as scope_code
    where $street is null
        or $district is null
        or exists (select 1 from street where code = $street and district_code = $district)
),

projects as (
    select x.*
    from sw_project_scope as x
    inner join scope as s on x.scope_code = s.scope_code
),

final as (
    select
        coalesce(target_group, '未填') as target_group,
        count(*) as projects,
        sum(social_workers)::bigint as social_workers,
        coalesce(sum(person_times), 0)::bigint as person_times
    from projects
    group by coalesce(target_group, '未填')
)

select * from final
order by projects desc, target_group asc
