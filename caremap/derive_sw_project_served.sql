-- Derived at publish time (build and import): each project's person-times over all its months.
insert into sw_project_served
select
    p.id as project_id,
    coalesce(sum(m.person_times), 0)::bigint as person_times,
    coalesce(sum(m.online_person_times), 0)::bigint as online_person_times
from sw_project as p
left join sw_service_month as m on p.id = m.project_id
group by p.id
order by p.id
